# TikTok's routing table (go doc ./privacy, "Audiences and routing"), one
# check per mode x audience cell. Four adult recipients, one per mode, and
# one sender per audience, related the same way to each recipient:
#
# | mode      | friend  | followed | recommended (contact / Facebook) | conversation | anyone   |
# | everyone  | Primary | Primary  | Primary                          | Primary      | Requests |
# | suggested | Primary | Deny     | Primary                          | Primary      | Deny     |
# | friends   | Primary | Deny     | Deny                             | Primary      | Deny     |
# | noone     | Deny    | Deny     | Deny                             | Deny         | Deny     |
policy tiktok
now 2026-03-01

user all  age=30 mode=everyone
user sug  age=30 mode=suggested
user fri  age=30 mode=friends
user none age=30 mode=noone

user friend    age=30       # mutual follows with each recipient
user followed  age=30       # each recipient follows them
user rcontact  age=30       # each recipient has their number
user rfacebook age=30       # Facebook friends with each recipient
user convo     age=30       # an accepted conversation with each recipient
user rstarted  age=30       # each recipient sent them a request, still pending
user stranger  age=30       # nothing at all: the "anyone" column
user follower  age=30       # follows each recipient: still "anyone" for TikTok
user revcontact age=30      # has each recipient's number: still "anyone"
user hidden    age=30 suggest-to-contacts=off suggest-to-facebook=off   # in their contacts and Facebook, but not suggested

follow friend all
follow all friend
follow friend sug
follow sug friend
follow friend fri
follow fri friend
follow friend none
follow none friend

follow all followed
follow sug followed
follow fri followed
follow none followed

contact all rcontact
contact sug rcontact
contact fri rcontact
contact none rcontact

facebook all rfacebook
facebook sug rfacebook
facebook fri rfacebook
facebook none rfacebook

conversation convo all accepted
conversation convo sug accepted
conversation convo fri accepted
conversation convo none accepted

conversation all rstarted pending
conversation sug rstarted pending
conversation fri rstarted pending
conversation none rstarted pending

follow follower all
follow follower sug
follow follower fri
follow follower none

contact revcontact all
contact revcontact sug
contact revcontact fri
contact revcontact none

contact all hidden
contact sug hidden
contact fri hidden
contact none hidden
facebook all hidden
facebook sug hidden
facebook fri hidden
facebook none hidden

# Everyone: rows 6, 7, 9, 10, 10b.
expect friend    all allow primary friend
expect followed  all allow primary followed_by_recipient
expect rcontact  all allow primary recommended_contact
expect rfacebook all allow primary recommended_facebook
expect convo     all allow primary existing_conversation
expect rstarted  all allow primary existing_conversation
expect stranger  all allow requests message_request
expect follower  all allow requests message_request
expect revcontact all allow requests message_request
expect hidden    all allow requests message_request

# Suggested friends: rows 6, 7, 9, 9b.
expect friend    sug allow primary friend
expect followed  sug deny not_suggested
expect rcontact  sug allow primary recommended_contact
expect rfacebook sug allow primary recommended_facebook
expect convo     sug allow primary existing_conversation
expect rstarted  sug allow primary existing_conversation
expect stranger  sug deny not_suggested
expect follower  sug deny not_suggested
expect revcontact sug deny not_suggested
expect hidden    sug deny not_suggested

# Friends: rows 6, 7, 8.
expect friend    fri allow primary friend
expect followed  fri deny not_friend
expect rcontact  fri deny not_friend
expect rfacebook fri deny not_friend
expect convo     fri allow primary existing_conversation
expect rstarted  fri allow primary existing_conversation
expect stranger  fri deny not_friend
expect follower  fri deny not_friend
expect revcontact fri deny not_friend
expect hidden    fri deny not_friend

# No one: row 5, for every audience, old chats included.
expect friend    none deny inbox_closed
expect followed  none deny inbox_closed
expect rcontact  none deny inbox_closed
expect rfacebook none deny inbox_closed
expect convo     none deny inbox_closed
expect rstarted  none deny inbox_closed
expect stranger  none deny inbox_closed
expect follower  none deny inbox_closed
expect revcontact none deny inbox_closed
expect hidden    none deny inbox_closed

# The sender view says no more than the decision: allowed, or not_allowed.
view stranger all  allowed
view stranger sug  not_allowed
view stranger fri  not_allowed
view stranger none not_allowed

# The ladder: each looser mode admits a superset of the tighter one's
# senders (go doc ./privacy: each looser mode routes every audience at least
# as well as the tighter one).
reach none primary= requests=
reach fri  primary=friend,convo,rstarted requests=
reach sug  primary=friend,rcontact,rfacebook,convo,rstarted requests=
reach all  primary=friend,followed,rcontact,rfacebook,convo,rstarted requests=sug,fri,none,stranger,follower,revcontact,hidden

# The senders (mode never set: friends at 18+) hear from their friends and
# from an accepted conversation only.
reach friend    primary=all,sug,fri,none requests=
reach followed  primary= requests=
reach rcontact  primary= requests=
reach rfacebook primary= requests=
reach convo     primary=all,sug,fri,none requests=
reach rstarted  primary= requests=         # the recipients' own requests open nothing
reach stranger  primary= requests=
reach follower  primary= requests=
reach revcontact primary= requests=
reach hidden    primary= requests=

# A recipient who moves up the ladder admits more, and back down, fewer.
set fri mode=everyone
reach fri  primary=friend,followed,rcontact,rfacebook,convo,rstarted requests=all,sug,none,stranger,follower,revcontact,hidden
set fri mode=friends
reach fri  primary=friend,convo,rstarted requests=
