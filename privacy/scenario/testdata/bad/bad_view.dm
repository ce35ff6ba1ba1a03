# error: 4:14 "blocked" | unknown sender view "blocked"
user ana
user ben
view ana ben blocked
