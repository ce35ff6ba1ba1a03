# The Instagram preset (Instagram's message controls and teen-account rules).
# Message controls sort senders into rows — your followers, others on
# Instagram, Facebook friends, people with your phone number — and route
# each to Chats (primary), Message requests (requests) or Don't receive
# (deny); "others" are the people in none of the other rows (every row, each
# answer: preset_instagram_rows.dm). People you follow and your
# conversations always reach Chats. Teens: adults cannot message teens who
# don't follow them (Instagram, 2021-03-16); under 16, only people they
# follow or are connected to reach them or add them to groups (Meta,
# 2024-01-25, about.fb.com/news/2024/01/introducing-stricter-message-settings-for-teens-on-instagram-and-facebook).
policy instagram
now 2026-03-01

user ria age=30          # an adult: never chose, so "standard"
user fol age=25          # follows ria
user fed age=28          # ria follows fed
user fb  age=33          # ria's Facebook friend
user num age=40          # has ria's phone number
user str age=22          # a stranger
user blk age=29          # blocked by ria
user res age=31          # ria follows res, and restricted them
user tee age=15          # a teen: Teen Accounts start "connected"
user pal age=14          # another teen, tee's Facebook friend

follow fol ria
follow ria fed
facebook ria fb
contact num ria
block ria blk
follow ria res
restrict ria res
follow tee fed           # tee follows fed (an adult)
facebook tee pal
follow fol tee           # an adult who follows a teen who doesn't follow back
facebook tee str         # an adult Facebook friend the teen doesn't follow

# Adult defaults: followers, people with your number and others land in
# requests; people you follow and Facebook friends in Chats.
expect fol ria allow requests follower
expect fed ria allow primary followed_by_recipient
expect fb  ria allow primary facebook_friend
expect num ria allow requests reverse_contact
expect str ria allow requests message_request
expect blk ria deny blocked_by_recipient
view   blk ria not_allowed
# "Restrict" moves a person's messages to requests with no notification.
expect res ria allow requests restricted
view   res ria allowed
# A teen writing to an adult is an ordinary request.
expect tee ria allow requests message_request
reach ria primary=fed,fb requests=fol,num,str,res,tee,pal

# Teen Accounts (2024-09-17): under 16, only people they follow or are
# connected to (Facebook friends, an accepted request) reach them; adults
# cannot message teens who don't follow them (2021-03-16), even as a
# Facebook friend.
expect fed tee allow primary followed_by_recipient
expect pal tee allow primary facebook_friend
expect fol tee deny minor_protection
expect str tee deny minor_protection
view   str tee not_allowed
reach tee primary=fed,pal requests=

# The adult loosens followers to Chats and turns others off.
set ria route.follower=primary route.anyone=deny
expect fol ria allow primary follower
expect str ria deny requests_off
expect num ria allow requests reverse_contact
expect tee ria deny requests_off
reach ria primary=fed,fb,fol requests=num,res

# Group adds, "Who can add you to groups": only mutual followers are added
# at once; anyone else the setting lets in is invited and must accept, as
# their messages arrive as requests. ria never chose: Everyone on
# Instagram.
user mut age=27          # ria's mutual follower
user bud age=15          # tee's mutual follower, a teen
follow mut ria
follow ria mut
follow bud tee
follow tee bud
group mut ria mut allow friend
group str ria str invite group_invite
group fol ria fol invite group_invite    # a follower ria doesn't follow back
group fed ria fed invite group_invite    # someone ria follows who doesn't follow back
group blk ria blk deny group_blocked
# A teen's default is Only people you follow: a mutual follower adds them,
# someone they follow invites them, anyone else is refused; an adult they
# don't follow may not even be in the group.
group bud tee bud allow friend
group fed tee fed invite group_invite
group pal tee pal deny group_invites_closed   # a Facebook friend tee doesn't follow
group str tee str deny group_minor_protection
group bud tee bud,fol deny group_minor_protection
