# The TikTok story (examples/tiktok, and the README): in 2022 TikTok
# opened DMs to "everyone" as an opt-in inbox mode next to mutual followers
# and recommended friends. Maya, 24, goes through all four modes of "Who can
# send you direct messages", then settles on Everyone. Her cast:
policy tiktok
now 2026-03-01

user maya   age=24              # the recipient; never chose a mode yet
user noah   age=25              # a friend (mutual follow)
user olivia age=23              # a friend
user finn   age=29              # follows Maya; she does not follow back
user cole   age=31              # Maya has his number in her synced contacts
user fern   age=27              # a Facebook friend
user sam    age=35              # a stranger
user bran   age=40              # someone Maya blocked
user tess   age=17              # a 17-year-old
user kid    age=15              # a 15-year-old
user susi   age=30 status=suspended

follow maya noah
follow noah maya
follow maya olivia
follow olivia maya
follow noah olivia
follow olivia noah
follow finn maya
contact maya cole
facebook maya fern
block maya bran

# Never set: an adult's default is Friends.
expect noah   maya allow primary friend
expect finn   maya deny not_friend
expect sam    maya deny not_friend
reach maya primary=noah,olivia requests=

# No one: nobody, not even friends (row 5).
set maya mode=noone
expect noah   maya deny inbox_closed
expect olivia maya deny inbox_closed
expect finn   maya deny inbox_closed
expect cole   maya deny inbox_closed
expect fern   maya deny inbox_closed
expect sam    maya deny inbox_closed
expect bran   maya deny blocked_by_recipient     # row 3c comes first
view   bran   maya not_allowed                   # and looks the same as No one
expect tess   maya deny inbox_closed
expect kid    maya deny sender_age               # row 2b
view   kid    maya age_restricted
expect susi   maya deny sender_unavailable       # row 2
view   susi   maya unavailable
reach maya primary= requests=

# Friends: mutual followers only (rows 7, 8).
set maya mode=friends
expect noah   maya allow primary friend
expect olivia maya allow primary friend
expect finn   maya deny not_friend               # following her is not enough
expect cole   maya deny not_friend
expect fern   maya deny not_friend
expect sam    maya deny not_friend
expect bran   maya deny blocked_by_recipient
expect tess   maya deny not_friend
expect kid    maya deny sender_age
expect susi   maya deny sender_unavailable
reach maya primary=noah,olivia requests=

# Suggested friends: friends plus recommended friends, from her synced
# contacts and Facebook (rows 9, 9b).
set maya mode=suggested
expect noah   maya allow primary friend
expect olivia maya allow primary friend
expect finn   maya deny not_suggested
expect cole   maya allow primary recommended_contact
expect fern   maya allow primary recommended_facebook
expect sam    maya deny not_suggested
expect bran   maya deny blocked_by_recipient
expect tess   maya deny not_suggested
expect kid    maya deny sender_age
expect susi   maya deny sender_unavailable
reach maya primary=noah,olivia,cole,fern requests=

# Everyone: strangers' messages arrive as message requests (row 10b).
set maya mode=everyone
expect noah   maya allow primary friend
expect olivia maya allow primary friend
expect finn   maya allow requests message_request
expect cole   maya allow primary recommended_contact
expect fern   maya allow primary recommended_facebook
expect sam    maya allow requests message_request
view   sam    maya allowed
expect bran   maya deny blocked_by_recipient     # a block still holds
expect tess   maya allow requests message_request
expect kid    maya deny sender_age
expect susi   maya deny sender_unavailable

# Maya's own messages: the protections work the other way too.
expect maya tess deny minor_protection           # an adult stranger to a 17-year-old
expect maya kid  deny recipient_age
expect maya susi deny recipient_unavailable
expect maya bran deny sender_blocked_recipient
view   maya bran you_blocked
expect maya noah allow primary friend
expect maya sam  deny not_friend                 # sam never chose: Friends

reach maya   primary=noah,olivia,cole,fern requests=finn,sam,tess
reach noah   primary=maya,olivia requests=
reach olivia primary=maya,noah requests=
reach finn   primary= requests=
reach cole   primary= requests=
reach fern   primary= requests=
reach sam    primary= requests=
reach bran   primary= requests=
reach tess   primary= requests=
reach kid    primary= requests=
reach susi   primary= requests=
