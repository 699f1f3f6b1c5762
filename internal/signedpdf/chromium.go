// Package signedpdf prints the signed decision document: a decision, as signed, laid out by the
// register's own print stylesheet and printed by headless Chromium to a tagged, A4 PDF with a
// title, a language and real text.
//
// Why Chromium: it is the one generator available here that writes a tagged PDF (a structure
// tree from the HTML's headings, lists and tables, /MarkInfo, /Lang and a document outline)
// from the same HTML and CSS that the register already prints from. Debian 12's WeasyPrint
// (57.2) predates WeasyPrint's PDF/UA support, and the pure-Go PDF writers (go-pdf/fpdf,
// pdfcpu) write untagged PDFs. Chromium is already what the browser tests drive.
package signedpdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Config says which Chromium prints and within what bounds.
type Config struct {
	// Path is the browser's binary; "" looks for chromium, chromium-browser and google-chrome
	// on the PATH when the first document is printed.
	Path string
	// Timeout bounds one print, from the browser's start when it is not running; a print that
	// runs over it is stopped and its browser killed. Zero means a minute.
	Timeout time.Duration
	// Idle is how long the browser is kept between prints before it is closed: signings
	// come in bursts, and an idle browser holds memory. Zero means a minute.
	Idle time.Duration
	// Recycle is how many documents one browser prints before it is replaced, so no leak
	// in it can grow for ever. Zero means 50.
	Recycle int
}

// maxHTML bounds the document printed: the register's own decisions are far smaller, and a
// bound keeps one print's memory bounded whatever the text.
const maxHTML = 8 << 20

// Renderer prints documents one at a time in one headless Chromium, started when first needed,
// closed when idle, and replaced after a failure or after Recycle documents. The zero value
// is not usable: call New.
type Renderer struct {
	cfg  Config
	slot chan struct{} // one print at a time

	mu      sync.Mutex // guards what follows; held only briefly, never during a print
	browser context.Context
	stop    func()
	printed int
	idle    *time.Timer
}

// New returns a renderer; the browser starts with the first print, so a machine without
// Chromium can still run everything else.
func New(cfg Config) *Renderer {
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.Idle <= 0 {
		cfg.Idle = time.Minute
	}
	if cfg.Recycle <= 0 {
		cfg.Recycle = 50
	}
	return &Renderer{cfg: cfg, slot: make(chan struct{}, 1)}
}

// FindChromium is the browser a Config with no Path uses: the first of chromium,
// chromium-browser and google-chrome on the PATH.
func FindChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found on the PATH (chromium, chromium-browser or google-chrome): install it or set CHROMIUM_PATH")
}

// Available reports why the browser at path ("" for the one FindChromium finds) cannot print,
// or nil when it is there to try.
func Available(path string) error {
	if path == "" {
		_, err := FindChromium()
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("Chromium at %q: %w", path, err)
	}
	return nil
}

// PrintHTML prints a whole HTML document to an A4 PDF, tagged and with an outline. The
// document must carry everything it shows (its stylesheet inline): the page has no address,
// scripts are off and no host name resolves, so nothing is fetched.
func (r *Renderer) PrintHTML(ctx context.Context, html []byte) ([]byte, error) {
	if len(html) > maxHTML {
		return nil, fmt.Errorf("print: the document is %d bytes, over the %d allowed", len(html), maxHTML)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	select {
	case r.slot <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("print: waiting for the printer: %w", ctx.Err())
	}
	defer func() { <-r.slot }()

	browser, err := r.acquire(ctx)
	if err != nil {
		return nil, err
	}
	pdf, err := printIn(ctx, browser, html)
	r.release(err != nil)
	if err != nil {
		return nil, fmt.Errorf("print: %w", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, errors.New("print: the browser returned something that is not a PDF")
	}
	return pdf, nil
}

// printIn opens a tab in browser, sets the document and prints it; the tab closes after.
func printIn(ctx context.Context, browser context.Context, html []byte) ([]byte, error) {
	tab, closeTab := chromedp.NewContext(browser)
	defer closeTab()
	// The tab lives under the browser's context; the print's deadline reaches it through
	// this one, which ends with ctx.
	tab, cancel := context.WithCancel(tab)
	defer cancel()
	stopWatch := context.AfterFunc(ctx, cancel)
	defer stopWatch()
	return chromedp.Run(tab, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		// A page with no address: the document is set in it, not loaded from anywhere.
		if _, err := chromedp.Navigate("about:blank")(ctx, t); err != nil {
			return nil, fmt.Errorf("open a blank page: %w", err)
		}
		if _, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			return nil, fmt.Errorf("turn scripts off: %w", err)
		}
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return nil, fmt.Errorf("frame tree: %w", err)
		}
		if _, err := cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{
			FrameID: tree.FrameTree.Frame.ID, HTML: string(html)}); err != nil {
			return nil, fmt.Errorf("set the document: %w", err)
		}
		// The print stylesheet's @page rule sets A4 and the margins; the paper size is A4
		// too, for a document without one.
		return chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(),
			chromedp.PDFOutlineAndTagged())(ctx, t)
	})
}

// acquire returns the running browser, starting one when there is none; a start that outlasts
// ctx is stopped, the browser killed.
func (r *Renderer) acquire(ctx context.Context) (context.Context, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idle != nil {
		r.idle.Stop()
		r.idle = nil
	}
	if r.browser != nil {
		return r.browser, nil
	}
	if err := Available(r.cfg.Path); err != nil {
		return nil, err
	}
	path := r.cfg.Path
	if path == "" {
		path, _ = FindChromium()
	}
	dir, err := os.MkdirTemp("", "signedpdf-chromium-")
	if err != nil {
		return nil, err
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.DisableGPU,
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			// Nothing is fetched: the document carries its stylesheet, and a link is only text
			// on paper.
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
			chromedp.Flag("renderer-process-limit", "1"),
			chromedp.Flag("js-flags", "--max-old-space-size=128"),
			chromedp.UserDataDir(filepath.Join(dir, "profile")),
			chromedp.Env("TMPDIR="+dir),
		)...)
	browser, cancel := chromedp.NewContext(alloc)
	// Once only: a second call waits for a browser that a start stopped early never frees.
	cancelBrowser := sync.OnceFunc(cancel)
	stopWatch := context.AfterFunc(ctx, cancelBrowser)
	err = chromedp.Do(browser)
	stopWatch()
	if ctx.Err() != nil {
		err = ctx.Err() // the print's time ran out during the start, which was stopped
	}
	if err != nil {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start Chromium (%s): %w", path, err)
	}
	r.browser, r.printed = browser, 0
	r.stop = func() {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	return browser, nil
}

// release counts a print and closes the browser after a failure (it may be wedged), after
// Recycle prints, or once it has been idle for Idle.
func (r *Renderer) release(failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.printed++
	if failed || r.printed >= r.cfg.Recycle {
		r.closeLocked()
		return
	}
	browser := r.browser
	r.idle = time.AfterFunc(r.cfg.Idle, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.browser == browser && r.idle != nil {
			r.closeLocked()
		}
	})
}

func (r *Renderer) closeLocked() {
	if r.idle != nil {
		r.idle.Stop()
		r.idle = nil
	}
	if r.stop != nil {
		r.stop()
	}
	r.browser, r.stop = nil, nil
}

// Close stops the browser, if one is running. A later print starts another.
func (r *Renderer) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
}
