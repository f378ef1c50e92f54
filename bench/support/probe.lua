-- probe.lua PROGRAM [ARGS...]: runs PROGRAM as `lua PROGRAM ARGS...` would (global arg, the
-- chunk's ...), then writes the Lua heap size at that moment, collectgarbage("count") with no
-- extra collection, on stderr for bench/run.py. The cost of this wrapper is one loadfile.
local prog = ...
local n = select("#", ...)
local a = { [0] = prog }
for i = 2, n do a[i - 1] = select(i, ...) end
arg = a
local chunk = assert(loadfile(prog))
chunk(table.unpack(a, 1, n - 1))
io.stderr:write(string.format("\nrua-bench-probe heap_kib=%.1f\n", collectgarbage("count")))
