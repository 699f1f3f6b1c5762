-- wrk script for .ci/loadrun: asks for a different decision each time, from the slugs in
-- bench/slugs.txt, so the page is built, not taken from the kept pages (which hold 2,000).
local slugs = {}
local i = 0
init = function(args)
  for line in io.lines("bench/slugs.txt") do slugs[#slugs + 1] = line end
end
request = function()
  i = i % #slugs + 1
  return wrk.format("GET", "/decisions/" .. slugs[i])
end
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\n", latency:percentile(95)))
end
