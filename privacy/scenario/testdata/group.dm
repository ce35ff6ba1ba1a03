# Group adds (go doc ./privacy, "Group adds"), under TikTok's rule: only a friend
# may add you, a block between the invitee and any member denies, and a
# group must never connect a 16-17-year-old with an adult who could not
# message them directly. The lines below are checked by line number in
# run_test.go: keep them where they are.
now 2026-03-01
user ana age=30
user ben age=30
user cy  age=17
user dee age=30
follow ana ben
follow ben ana
follow ana cy
follow cy ana
block dee ben
expect ana ben allow primary friend          # an ordinary check
group ana ben dee deny group_blocked         # line 17: dee blocked ben
group ana cy ben deny group_minor_protection # line 18: ben is an adult stranger to cy
group ben ana dee allow friend               # line 19
