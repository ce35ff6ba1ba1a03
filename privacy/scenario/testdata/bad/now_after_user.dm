# error: 4:1 "now" | now must come before the first user (line 3 declares ana)
now 2026-03-01
user ana
now 2026-04-01
