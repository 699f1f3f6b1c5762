-- wrk script for .ci/loadrun: prints the 95th percentile latency, which wrk's --latency leaves out.
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\n", latency:percentile(95)))
end
