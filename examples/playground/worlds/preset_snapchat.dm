# Snapchat: friends, friends and contacts, everyone
#
# Snapchat's "Who can contact me" is My Friends (friends, the default),
# Friends and contacts (people whose number you saved) or Everyone, whose
# snaps wait until you add them back. Teens start in Friends and contacts,
# may not choose Everyone, and hear from an adult only a friend or a saved
# contact.
policy snapchat
now 2026-03-01

user sn age=30                  # never chose: friends
user fr age=30                  # sn's friend
user ct age=30                  # sn saved ct's number
user hs age=30                  # hs saved sn's number (the wrong direction)
user st age=30                  # a stranger
user tn age=16                  # a teen: Friends and contacts by default
user ev age=30 mode=everyone    # open to everyone

follow sn fr
follow fr sn
contact sn ct
contact hs sn
contact tn ct                   # the teen saved ct's number
