# error: 3:1 "now" | now must come before advance (line 2 moves the clock)
advance 1d
now 2026-03-01
