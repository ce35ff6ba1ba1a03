# Messenger: friends, friends of friends and everyone else
#
# On Facebook Messenger friends go straight to Chats. Friends of friends,
# people with your number in their contacts and everyone else are each
# routed to Chats, Message requests or Don't receive; by default all
# three arrive as message requests. Teens hear from friends, and from
# people with their number as message requests; under 16 they may only
# turn groups off.
policy messenger
now 2026-03-01

user mia age=35                 # never chose: "standard"
user pal age=30                 # mia's friend
user fof age=29                 # pal's friend: a friend of a friend of mia
user num age=41                 # has mia's number
user str age=26                 # a stranger
user kid age=15                 # a teen
user bro age=16                 # kid's friend
user pho age=44                 # has kid's number

follow mia pal
follow pal mia
follow fof pal
follow pal fof
contact num mia
follow kid bro
follow bro kid
follow pal kid                  # pal is also kid's friend
follow kid pal
contact pho kid                 # an adult reaches kid's requests this way

# mia lets friends of friends into Chats and turns everyone else off.
set mia route.friend_of_friend=primary route.anyone=deny
