# Messenger's message delivery settings, group by group
# (messenger.com/help/2258699540867663). Friends of friends on Facebook,
# people on Facebook with your phone number in their phone's contact list,
# and everyone else are each delivered to Chats (primary), Message requests
# (requests) or not at all ("Don't receive requests": deny). A sender in
# several groups gets the most permissive answer; "everyone else" are the
# people in none of the other groups, so a group set to Don't receive
# refuses its senders even while everyone else still reaches requests.
# Facebook friends always reach Chats. (go doc ./privacy.Messenger.)
#
# Each block sets one group to one answer while everyone else keeps a
# different one, and checks a sender in exactly that group, a sender in
# both groups (the better answer wins) and a stranger (everyone else's
# answer).
policy messenger
now 2026-03-01

user m       age=35      # the recipient, an adult
user pal     age=30      # m's friend: always Chats
user fof     age=30      # pal's friend: a friend of a friend of m
user num     age=30      # has m's number
user fof_num age=30      # pal's friend, and has m's number
user sav     age=30      # m saved sav's number: no group of its own, so everyone else
user str     age=30      # a stranger: everyone else
follow m pal
follow pal m
follow fof pal
follow pal fof
contact num m
follow fof_num pal
follow pal fof_num
contact fof_num m
contact m sav

# The adult default, "standard": every group to requests.
expect pal     m allow primary friend
expect fof     m allow requests friend_of_friend
expect num     m allow requests reverse_contact
expect fof_num m allow requests reverse_contact
expect sav     m allow requests message_request
expect str     m allow requests message_request
reach m primary=pal requests=fof,num,fof_num,sav,str

# Friends of friends on Facebook: Don't receive requests; the other group: Message requests; everyone else: Message requests.
set m route.friend_of_friend=deny route.reverse_contact=requests route.anyone=requests
expect fof     m deny requests_off
expect fof_num m allow requests reverse_contact
expect sav     m allow requests message_request
expect str     m allow requests message_request
reach m primary=pal requests=num,fof_num,sav,str

# Friends of friends on Facebook: Don't receive requests; the other group: Don't receive requests; everyone else: Chats.
set m route.friend_of_friend=deny route.reverse_contact=deny route.anyone=primary
expect fof     m deny requests_off
expect fof_num m deny requests_off
expect sav     m allow primary message_request
expect str     m allow primary message_request
reach m primary=pal,sav,str requests=

# Friends of friends on Facebook: Message requests; the other group: Don't receive requests; everyone else: Chats.
set m route.friend_of_friend=requests route.reverse_contact=deny route.anyone=primary
expect fof     m allow requests friend_of_friend
expect fof_num m allow requests friend_of_friend
expect sav     m allow primary message_request
expect str     m allow primary message_request
reach m primary=pal,sav,str requests=fof,fof_num

# Friends of friends on Facebook: Message requests; the other group: Chats; everyone else: Don't receive requests.
set m route.friend_of_friend=requests route.reverse_contact=primary route.anyone=deny
expect fof     m allow requests friend_of_friend
expect fof_num m allow primary reverse_contact
expect sav     m deny requests_off
expect str     m deny requests_off
reach m primary=pal,num,fof_num requests=fof

# Friends of friends on Facebook: Chats; the other group: Don't receive requests; everyone else: Message requests.
set m route.friend_of_friend=primary route.reverse_contact=deny route.anyone=requests
expect fof     m allow primary friend_of_friend
expect fof_num m allow primary friend_of_friend
expect sav     m allow requests message_request
expect str     m allow requests message_request
reach m primary=pal,fof,fof_num requests=sav,str

# Friends of friends on Facebook: Chats; the other group: Message requests; everyone else: Don't receive requests.
set m route.friend_of_friend=primary route.reverse_contact=requests route.anyone=deny
expect fof     m allow primary friend_of_friend
expect fof_num m allow primary friend_of_friend
expect sav     m deny requests_off
expect str     m deny requests_off
reach m primary=pal,fof,fof_num requests=num

# People with your number in their phone's contacts: Don't receive requests; the other group: Message requests; everyone else: Message requests.
set m route.friend_of_friend=requests route.reverse_contact=deny route.anyone=requests
expect num     m deny requests_off
expect fof_num m allow requests friend_of_friend
expect sav     m allow requests message_request
expect str     m allow requests message_request
reach m primary=pal requests=fof,fof_num,sav,str

# People with your number in their phone's contacts: Don't receive requests; the other group: Don't receive requests; everyone else: Chats.
set m route.friend_of_friend=deny route.reverse_contact=deny route.anyone=primary
expect num     m deny requests_off
expect fof_num m deny requests_off
expect sav     m allow primary message_request
expect str     m allow primary message_request
reach m primary=pal,sav,str requests=

# People with your number in their phone's contacts: Message requests; the other group: Don't receive requests; everyone else: Chats.
set m route.friend_of_friend=deny route.reverse_contact=requests route.anyone=primary
expect num     m allow requests reverse_contact
expect fof_num m allow requests reverse_contact
expect sav     m allow primary message_request
expect str     m allow primary message_request
reach m primary=pal,sav,str requests=num,fof_num

# People with your number in their phone's contacts: Message requests; the other group: Chats; everyone else: Don't receive requests.
set m route.friend_of_friend=primary route.reverse_contact=requests route.anyone=deny
expect num     m allow requests reverse_contact
expect fof_num m allow primary friend_of_friend
expect sav     m deny requests_off
expect str     m deny requests_off
reach m primary=pal,fof,fof_num requests=num

# People with your number in their phone's contacts: Chats; the other group: Don't receive requests; everyone else: Message requests.
set m route.friend_of_friend=deny route.reverse_contact=primary route.anyone=requests
expect num     m allow primary reverse_contact
expect fof_num m allow primary reverse_contact
expect sav     m allow requests message_request
expect str     m allow requests message_request
reach m primary=pal,num,fof_num requests=sav,str

# People with your number in their phone's contacts: Chats; the other group: Message requests; everyone else: Don't receive requests.
set m route.friend_of_friend=requests route.reverse_contact=primary route.anyone=deny
expect num     m allow primary reverse_contact
expect fof_num m allow primary reverse_contact
expect sav     m deny requests_off
expect str     m deny requests_off
reach m primary=pal,num,fof_num requests=fof

# Everyone else: Chats; both groups: Don't receive requests.
set m route.friend_of_friend=deny route.reverse_contact=deny route.anyone=primary
expect pal     m allow primary friend
expect fof     m deny requests_off
expect fof_num m deny requests_off
expect sav     m allow primary message_request
expect str     m allow primary message_request
reach m primary=pal,sav,str requests=

# Everyone else: Message requests; both groups: Chats.
set m route.friend_of_friend=primary route.reverse_contact=primary route.anyone=requests
expect pal     m allow primary friend
expect fof     m allow primary friend_of_friend
expect fof_num m allow primary reverse_contact
expect sav     m allow requests message_request
expect str     m allow requests message_request
reach m primary=pal,fof,num,fof_num requests=sav,str

# Everyone else: Don't receive requests; both groups: Message requests.
set m route.friend_of_friend=requests route.reverse_contact=requests route.anyone=deny
expect pal     m allow primary friend
expect fof     m allow requests friend_of_friend
expect fof_num m allow requests reverse_contact
expect sav     m deny requests_off
expect str     m deny requests_off
reach m primary=pal requests=fof,num,fof_num
