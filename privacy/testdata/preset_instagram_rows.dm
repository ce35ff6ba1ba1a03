# Instagram's message controls, row by row. Instagram sorts senders into
# rows — Your followers on Instagram, People with your phone number,
# Facebook friends, Others on Instagram — and each row is set to Chats
# (primary), Message requests (requests) or Don't receive requests (deny).
# A sender in several rows gets the most permissive answer, and "Others"
# are the people in none of the other rows: a row set to Don't receive
# refuses its senders even while others still reach requests. People the
# user follows and their conversations always reach Chats. (Meta's message
# controls, shared by Instagram and Messenger:
# messenger.com/help/2258699540867663; go doc ./privacy.Instagram.)
#
# Each block sets one row to one answer while Others keeps a different
# one, and checks a sender in exactly that row, senders in that row and
# another (the better answer wins), and a stranger (Others' answer).
# Others may be Message requests or Don't receive, never Chats.
policy instagram
now 2026-03-01

user r       age=30      # the recipient, an adult
user fol     age=30      # follows r
user num     age=30      # has r's phone number
user fb      age=30      # r's Facebook friend
user fol_num age=30      # follows r and has r's number
user fol_fb  age=30      # follows r and is r's Facebook friend
user num_fb  age=30      # has r's number and is r's Facebook friend
user sav     age=30      # r saved sav's number: no row of its own, so one of Others
user fed     age=30      # r follows fed: always Chats
user str     age=30      # a stranger: Others
follow fol r
contact num r
facebook r fb
follow fol_num r
contact fol_num r
follow fol_fb r
facebook r fol_fb
contact num_fb r
facebook r num_fb
contact r sav
follow r fed

# The adult default, "standard": followers, people with the number and
# Others to requests, Facebook friends and people r follows to Chats.
expect fol     r allow requests follower
expect num     r allow requests reverse_contact
expect fb      r allow primary facebook_friend
expect fol_num r allow requests follower
expect fol_fb  r allow primary facebook_friend
expect num_fb  r allow primary facebook_friend
expect sav     r allow requests message_request
expect fed     r allow primary followed_by_recipient
expect str     r allow requests message_request
reach r primary=fb,fol_fb,num_fb,fed requests=fol,num,fol_num,sav,str

# Your followers: Don't receive requests; Others: Message requests.
set r route.follower=deny route.reverse_contact=requests route.facebook_friend=primary route.anyone=requests
expect fol     r deny requests_off
expect fol_num r allow requests reverse_contact
expect fol_fb  r allow primary facebook_friend
expect sav     r allow requests message_request
expect str     r allow requests message_request
reach r primary=fb,fol_fb,num_fb,fed requests=num,fol_num,sav,str

# Your followers: Message requests; Others: Don't receive requests.
set r route.follower=requests route.reverse_contact=deny route.facebook_friend=primary route.anyone=deny
expect fol     r allow requests follower
expect fol_num r allow requests follower
expect fol_fb  r allow primary facebook_friend
expect sav     r deny requests_off
expect str     r deny requests_off
reach r primary=fb,fol_fb,num_fb,fed requests=fol,fol_num

# Your followers: Chats; Others: Don't receive requests.
set r route.follower=primary route.reverse_contact=requests route.facebook_friend=deny route.anyone=deny
expect fol     r allow primary follower
expect fol_num r allow primary follower
expect fol_fb  r allow primary follower
expect sav     r deny requests_off
expect str     r deny requests_off
reach r primary=fol,fol_num,fol_fb,fed requests=num,num_fb

# Your followers: Chats; Others: Message requests.
set r route.follower=primary route.reverse_contact=deny route.facebook_friend=deny route.anyone=requests
expect fol     r allow primary follower
expect fol_num r allow primary follower
expect fol_fb  r allow primary follower
expect sav     r allow requests message_request
expect str     r allow requests message_request
reach r primary=fol,fol_num,fol_fb,fed requests=sav,str

# People with your phone number: Don't receive requests; Others: Message requests.
set r route.follower=requests route.reverse_contact=deny route.facebook_friend=primary route.anyone=requests
expect num     r deny requests_off
expect fol_num r allow requests follower
expect num_fb  r allow primary facebook_friend
expect sav     r allow requests message_request
expect str     r allow requests message_request
reach r primary=fb,fol_fb,num_fb,fed requests=fol,fol_num,sav,str

# People with your phone number: Message requests; Others: Don't receive requests.
set r route.follower=deny route.reverse_contact=requests route.facebook_friend=primary route.anyone=deny
expect num     r allow requests reverse_contact
expect fol_num r allow requests reverse_contact
expect num_fb  r allow primary facebook_friend
expect sav     r deny requests_off
expect str     r deny requests_off
reach r primary=fb,fol_fb,num_fb,fed requests=num,fol_num

# People with your phone number: Chats; Others: Don't receive requests.
set r route.follower=requests route.reverse_contact=primary route.facebook_friend=deny route.anyone=deny
expect num     r allow primary reverse_contact
expect fol_num r allow primary reverse_contact
expect num_fb  r allow primary reverse_contact
expect sav     r deny requests_off
expect str     r deny requests_off
reach r primary=num,fol_num,num_fb,fed requests=fol,fol_fb

# People with your phone number: Chats; Others: Message requests.
set r route.follower=deny route.reverse_contact=primary route.facebook_friend=deny route.anyone=requests
expect num     r allow primary reverse_contact
expect fol_num r allow primary reverse_contact
expect num_fb  r allow primary reverse_contact
expect sav     r allow requests message_request
expect str     r allow requests message_request
reach r primary=num,fol_num,num_fb,fed requests=sav,str

# Facebook friends: Don't receive requests; Others: Message requests.
set r route.follower=requests route.reverse_contact=primary route.facebook_friend=deny route.anyone=requests
expect fb      r deny requests_off
expect fol_fb  r allow requests follower
expect num_fb  r allow primary reverse_contact
expect sav     r allow requests message_request
expect str     r allow requests message_request
reach r primary=num,fol_num,num_fb,fed requests=fol,fol_fb,sav,str

# Facebook friends: Message requests; Others: Don't receive requests.
set r route.follower=deny route.reverse_contact=primary route.facebook_friend=requests route.anyone=deny
expect fb      r allow requests facebook_friend
expect fol_fb  r allow requests facebook_friend
expect num_fb  r allow primary reverse_contact
expect sav     r deny requests_off
expect str     r deny requests_off
reach r primary=num,fol_num,num_fb,fed requests=fb,fol_fb

# Facebook friends: Chats; Others: Don't receive requests.
set r route.follower=requests route.reverse_contact=deny route.facebook_friend=primary route.anyone=deny
expect fb      r allow primary facebook_friend
expect fol_fb  r allow primary facebook_friend
expect num_fb  r allow primary facebook_friend
expect sav     r deny requests_off
expect str     r deny requests_off
reach r primary=fb,fol_fb,num_fb,fed requests=fol,fol_num

# Facebook friends: Chats; Others: Message requests.
set r route.follower=deny route.reverse_contact=deny route.facebook_friend=primary route.anyone=requests
expect fb      r allow primary facebook_friend
expect fol_fb  r allow primary facebook_friend
expect num_fb  r allow primary facebook_friend
expect sav     r allow requests message_request
expect str     r allow requests message_request
reach r primary=fb,fol_fb,num_fb,fed requests=sav,str

# Others on Instagram: Message requests; every other row: Don't receive requests.
set r route.follower=deny route.reverse_contact=deny route.facebook_friend=deny route.anyone=requests
expect fol     r deny requests_off
expect sav     r allow requests message_request
expect fed     r allow primary followed_by_recipient
expect str     r allow requests message_request
reach r primary=fed requests=sav,str

# Others on Instagram: Don't receive requests; every other row: Message requests.
set r route.follower=requests route.reverse_contact=requests route.facebook_friend=requests route.anyone=deny
expect fol     r allow requests follower
expect sav     r deny requests_off
expect fed     r allow primary followed_by_recipient
expect str     r deny requests_off
reach r primary=fed requests=fol,num,fb,fol_num,fol_fb,num_fb

# Others on Instagram: Don't receive requests; every other row: Chats.
set r route.follower=primary route.reverse_contact=primary route.facebook_friend=primary route.anyone=deny
expect fol     r allow primary follower
expect sav     r deny requests_off
expect fed     r allow primary followed_by_recipient
expect str     r deny requests_off
reach r primary=fol,num,fb,fol_num,fol_fb,num_fb,fed requests=

# Others on Instagram: Message requests; every other row: Chats.
set r route.follower=primary route.reverse_contact=primary route.facebook_friend=primary route.anyone=requests
expect fol     r allow primary follower
expect sav     r allow requests message_request
expect fed     r allow primary followed_by_recipient
expect str     r allow requests message_request
reach r primary=fol,num,fb,fol_num,fol_fb,num_fb,fed requests=sav,str

# Teen Accounts start in "connected": every row is Don't receive but
# Facebook friends. At 16-17 a teen may change the rows themselves; each
# row keeps its own answer. (Adults still reach a teen only if the teen
# follows them: go doc ./privacy.Instagram.)
user t16  age=16
user tfol age=16         # follows t16
user tnum age=17         # has t16's number
user tstr age=16         # a teen stranger
follow tfol t16
contact tnum t16
expect tfol t16 deny requests_off
expect tnum t16 deny requests_off
expect tstr t16 deny requests_off
set t16 route.anyone=requests            # Others to requests; followers stay off
expect tfol t16 deny requests_off
expect tnum t16 deny requests_off
expect tstr t16 allow requests message_request
expect str  t16 deny minor_protection    # an adult stranger still may not
set t16 route.follower=requests route.reverse_contact=primary
expect tfol t16 allow requests follower
expect tnum t16 allow primary reverse_contact
expect tstr t16 allow requests message_request

# Under 16 a teen may only refuse: here even their Facebook friends, while
# people they follow still reach Chats.
user t14  age=14
user tfb  age=15         # t14's Facebook friend
user tfd  age=15         # t14 follows tfd
facebook t14 tfb
follow t14 tfd
expect tfb t14 allow primary facebook_friend
set t14 route.facebook_friend=deny route.follower=deny route.reverse_contact=deny route.anyone=deny
expect tfb t14 deny requests_off
expect tfd t14 allow primary followed_by_recipient
