# Group adds (DESIGN.md "Group chats"): these lines parse now; the engine's
# CanAddToGroup does not exist yet, so each is reported as an unsupported
# check that fails. The expectations follow TikTok's rule: only a friend may
# add you, and a 16-17-year-old also needs a friend already in the group.
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

expect ana ben allow primary friend          # an ordinary check, which passes
group ana ben dee deny group_blocked         # line 17
group ana cy ben invite                      # line 18
group ben cy ana allow
