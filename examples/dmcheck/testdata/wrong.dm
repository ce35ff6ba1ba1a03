now 2026-03-01
user ana age=30 mode=friends
user ben age=30
expect ben ana deny not_friend
# the next line is wrong: ben is no friend of ana
expect ben ana allow primary friend
reach ana primary= requests=
