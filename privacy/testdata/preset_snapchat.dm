# The Snapchat preset (Snapchat's privacy settings help,
# help.snapchat.com/hc/en-us/articles/7012343074580): "Who can contact me"
# is My Friends (the adults' default), Friends and contacts (people whose
# numbers you saved), or Everyone, whose snaps wait until you add them
# back. Teens: contact settings "are set to friends and phone contacts
# only, and can't be expanded" (parents.snapchat.com/snapchat-family-safety-faq),
# and teens "can only communicate with mutually accepted friends, or those
# whose numbers they have already saved to their contacts"
# (help.snapchat.com/hc/en-us/articles/34691800487316). Only friends add
# you to group chats.
policy snapchat
now 2026-03-01

user sn age=30           # never chose: friends
user fr age=30           # sn's friend
user ct age=30           # sn saved ct's number
user hs age=30           # hs saved sn's number (the wrong direction)
user st age=30           # a stranger
user tn age=16           # a teen
follow sn fr
follow fr sn
contact sn ct
contact hs sn
contact tn ct            # the teen saved ct's number

expect fr sn allow primary friend
expect ct sn deny not_friend
reach sn primary=fr requests=

set sn mode=contacts
expect ct sn allow primary contact
expect hs sn deny not_contact
reach sn primary=fr,ct requests=

set sn mode=everyone
expect st sn allow requests message_request
reach sn primary=fr,ct requests=hs,st,tn

# A teen in Friends and contacts hears from an adult whose number they
# saved, and from no other adult.
set tn mode=contacts
expect ct tn allow primary contact
expect fr tn deny minor_protection
expect st tn deny minor_protection
reach tn primary=ct requests=

group fr sn fr allow friend
group ct sn ct deny group_inviter_not_friend

# A teen who never chose is in Friends and contacts: a teen or an adult
# whose number they saved reaches them; a teen stranger does not, nor does
# an adult stranger or an adult who merely saved the teen's number.
user tm age=15           # a teen whose number tn saved
user tx age=15           # a teen stranger
user ts age=30           # an adult who saved tn's number
contact tn tm
contact ts tn
set tn mode=default
expect ct tn allow primary contact
expect tm tn allow primary contact
expect tx tn deny not_contact
expect st tn deny minor_protection
expect ts tn deny minor_protection
reach tn primary=ct,tm requests=
# A teen may tighten to My Friends, never open to Everyone.
set tn mode=friends
expect ct tn deny not_friend
expect tm tn deny not_friend
