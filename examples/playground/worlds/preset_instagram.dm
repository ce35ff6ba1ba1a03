# Instagram: message controls per audience
#
# Instagram's message controls sort senders into audiences (your
# followers, others on Instagram, Facebook friends, people with your
# phone number) and route each to Chats, Message requests or Don't
# receive; route.AUDIENCE=primary|requests|deny sets one. People you
# follow and your conversations always reach Chats. Teen accounts start
# "connected": only people they follow or are connected to reach them.
policy instagram
now 2026-03-01

user ria age=30                 # never chose: "standard"
user fol age=25                 # follows ria
user fed age=28                 # ria follows fed
user fb  age=33                 # ria's Facebook friend
user num age=40                 # has ria's phone number
user str age=22                 # a stranger
user blk age=29                 # blocked by ria
user res age=31                 # ria follows res, and restricted them
user tee age=15                 # a teen account
user pal age=14                 # another teen, tee's Facebook friend

follow fol ria
follow ria fed
facebook ria fb
contact num ria
block ria blk
follow ria res
restrict ria res
follow tee fed
facebook tee pal
follow fol tee                  # an adult following a teen who does not follow back

# ria lets her followers into Chats and turns off requests from everyone else.
set ria route.follower=primary route.anyone=deny
