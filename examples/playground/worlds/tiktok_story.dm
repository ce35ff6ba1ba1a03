# The TikTok story: Maya opens her inbox to everyone
#
# In 2022 TikTok opened direct messages to "everyone" as an opt-in inbox
# mode, next to mutual followers and suggested friends. Maya, 24, goes
# through all four modes of "Who can send you direct messages", then
# settles on Everyone. Each block checks what the mode means for her cast.
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
user kid    age=15              # a 15-year-old: too young for messages
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
reach maya primary=noah,olivia requests=

# No one: nobody, not even friends.
set maya mode=noone
expect noah   maya deny inbox_closed
expect bran   maya deny blocked_by_recipient     # the block is checked first
view   bran   maya not_allowed                   # and looks the same as No one
expect kid    maya deny sender_age
reach maya primary= requests=

# Friends: mutual followers only.
set maya mode=friends
expect finn   maya deny not_friend               # following her is not enough
reach maya primary=noah,olivia requests=

# Suggested friends: friends, plus people in her synced contacts and her
# Facebook friends.
set maya mode=suggested
expect cole   maya allow primary recommended_contact
expect fern   maya allow primary recommended_facebook
expect sam    maya deny not_suggested
reach maya primary=noah,olivia,cole,fern requests=

# Everyone: strangers' messages arrive as message requests.
set maya mode=everyone
expect sam    maya allow requests message_request
view   sam    maya allowed
expect bran   maya deny blocked_by_recipient     # a block still holds
expect tess   maya allow requests message_request
reach maya primary=noah,olivia,cole,fern requests=finn,sam,tess

# Maya's own messages: the protections work the other way too.
expect maya tess deny minor_protection           # an adult stranger to a 17-year-old
expect maya kid  deny recipient_age
view   maya bran you_blocked
