# The Facebook Messenger preset (Messenger's help pages,
# messenger.com/help/2258699540867663). Friends go straight to Chats.
# Friends of friends, people with your number in their contacts, and
# everyone else are each routed to Chats, requests or "Don't receive";
# by default all three arrive as message requests (every group, each
# answer: preset_messenger_rows.dm). Teens: since 2024-01-25 Messenger
# users under 16 "will only receive messages from Facebook friends, or
# people they're connected to through phone contacts" (Meta,
# about.fb.com/news/2024/01/introducing-stricter-message-settings-for-teens-on-instagram-and-facebook);
# the preset applies that default up to 18.
policy messenger
now 2026-03-01

user mia age=35          # an adult: never chose, so "standard"
user pal age=30          # mia's friend
user fof age=29          # pal's friend: a friend of a friend of mia
user num age=41          # has mia's number
user str age=26          # a stranger
user kid age=15          # a teen
user bro age=16          # kid's friend
follow mia pal
follow pal mia
follow fof pal
follow pal fof
contact num mia
follow kid bro
follow bro kid
follow pal kid           # pal is also kid's friend (an adult friend)
follow kid pal

expect pal mia allow primary friend
expect fof mia allow requests friend_of_friend
expect num mia allow requests reverse_contact
expect str mia allow requests message_request
expect kid mia allow requests friend_of_friend   # pal is a friend of both
reach mia primary=pal requests=fof,num,str,kid,bro

# A teen hears from friends, and from people with their number (below);
# an adult reaches a minor only as one of those.
expect bro kid allow primary friend
expect pal kid allow primary friend
expect fof kid deny minor_protection             # a friend of a friend, and an adult
expect mia kid deny minor_protection
reach kid primary=bro,pal requests=

# Friends of friends to Chats; everyone else's requests off.
set mia route.friend_of_friend=primary route.anyone=deny
expect fof mia allow primary friend_of_friend
expect str mia deny requests_off
view   str mia not_allowed
reach mia primary=pal,fof,kid requests=num

# Group chats: "new group chat message requests won't be delivered to your
# Chats list": a non-friend's group arrives as an invite.
group pal mia pal allow friend
group str mia str invite group_invite
group str kid str deny group_minor_protection

# Phone contacts: people with a teen's number in their contacts reach the
# teen's requests, teens and adults alike (the conservative reading of
# "connected to through phone contacts": Meta names no folder). Someone
# whose number the teen saved is not such a connection.
user knum age=15         # a teen with kid's number
user anum age=40         # an adult with kid's number
user ksav age=15         # kid saved ksav's number
contact knum kid
contact anum kid
contact kid ksav
expect knum kid allow requests reverse_contact
expect anum kid allow requests reverse_contact
expect ksav kid deny requests_off
expect num  kid deny minor_protection          # an adult with mia's number, not kid's
reach kid primary=bro,pal requests=knum,anum
group knum kid knum invite group_invite
group anum kid anum invite group_invite
group ksav kid ksav deny group_invites_closed
group bro kid bro,anum allow friend               # anum may message kid, so may share a group
group bro kid bro,num deny group_minor_protection  # num, an adult, may not
# Under 16 the teen may refuse them, never send them to Chats.
set kid route.reverse_contact=deny
expect knum kid deny requests_off
expect anum kid deny requests_off
reach kid primary=bro,pal requests=
