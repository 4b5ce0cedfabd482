#!/bin/sh
# The layers depend one way: app -> ui -> engine/io. The engine is C + libm only; nothing
# but src/ui and src/app may include SDL. Prints each offending include and fails.
set -u
src="$1/src"
bad=0
engine=$(grep -Hn '#include' "$src"/engine/*.[ch] | grep -v -E '#include (<(math|stddef|stdint|stdlib|string|stdio|stdarg|limits|float|assert|threads)\.h>|"rnn[a-z_]*\.h")')
[ -n "$engine" ] && { echo "engine may use only libc and libm:"; echo "$engine"; bad=1; }
io=$(grep -Hn '#include' "$src"/io/*.[ch] | grep -E 'SDL|"app|"ui')
[ -n "$io" ] && { echo "io must not reach up into ui/app or SDL:"; echo "$io"; bad=1; }
sdl=$(grep -rHn '#include.*SDL' "$src" | grep -v -E "^$src/(ui|app)/")
[ -n "$sdl" ] && { echo "SDL outside src/ui and src/app:"; echo "$sdl"; bad=1; }
[ $bad -eq 0 ] && echo "layers ok"
exit $bad
