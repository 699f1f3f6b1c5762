package decision

// Abbreviation is a short form the decisions use, with what it stands for.
type Abbreviation struct {
	Short string
	Long  string
}

// Abbreviations are the short forms a reader meets in the register's decisions, explained on
// first use on a page and listed on the glossary page. Keep them in alphabetical order.
var Abbreviations = []Abbreviation{
	{"DAC", "Deputy Assistant Commissioner (a senior rank in the Metropolitan Police)"},
	{"DMPC", "Deputy Mayor for Policing and Crime"},
	{"DMPCD", "Deputy Mayor for Policing and Crime Decision (the older series of decisions)"},
	{"DPA", "Data Protection Act"},
	{"DPIA", "Data Protection Impact Assessment"},
	{"EIA", "Equality Impact Assessment"},
	{"FY", "financial year (1 April to 31 March)"},
	{"GDPR", "General Data Protection Regulation"},
	{"HO", "Home Office"},
	{"MOPAC", "Mayor’s Office for Policing and Crime"},
	{"MPS", "Metropolitan Police Service"},
	{"NPCC", "National Police Chiefs’ Council"},
	{"PCD", "Policing and Crime Decision (the reference of a decision)"},
	{"SMH", "Social Media Hub"},
	{"SMIN", "Social Media Intelligence Network"},
}

// AbbreviationFor returns what a short form stands for, or "" when it is not in the glossary.
func AbbreviationFor(short string) string {
	for _, a := range Abbreviations {
		if a.Short == short {
			return a.Long
		}
	}
	return ""
}
