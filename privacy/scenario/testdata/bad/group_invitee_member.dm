# error: 5:18 "ben" | ben is the invitee: they cannot already be a member
user ana
user ben
user cy
group ana ben cy,ben allow
