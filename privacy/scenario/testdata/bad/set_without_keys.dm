# error: 3:8 "" | set needs at least one key=value
user ana
set ana
