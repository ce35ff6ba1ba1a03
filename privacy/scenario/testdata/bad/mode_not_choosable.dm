# error: 3:16 "mode=everyone" | cy may not choose mode everyone at 2026-03-01: users whose age is 16-17 may not choose it
now 2026-03-01
user cy age=17 mode=everyone
