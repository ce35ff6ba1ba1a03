# The Snapchat preset (Snapchat's privacy settings help): "Who can contact
# me" is My Friends (the default), Friends and contacts (people whose
# numbers you saved), or Everyone, whose snaps wait until you add them
# back. Teens: friends and saved contacts only. Only friends add you to
# group chats.
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
