# The X (Twitter) preset (X's direct message settings, July 2023). People you
# follow can always message you. "Allow message requests from": No one
# (none), Verified users (verified; forced on open-DM adults in July 2023),
# or Everyone; those go to the requests folder. You can always reply to
# someone who messaged you. X has no restrict.
policy x
now 2026-03-01

user xa  age=30                 # an adult: never chose, so "verified"
user fd  age=30                 # xa follows fd
user ver age=30 verified=on     # a verified stranger
user un  age=30                 # an unverified stranger
user old age=30                 # had an accepted conversation with xa
user rep age=30                 # xa wrote to rep first
user kid age=15                 # a minor: never chose, so "none"
follow xa fd
conversation old xa accepted
conversation xa rep pending
restrict xa fd                  # ignored: X has no restrict

expect fd  xa allow primary followed_by_recipient
expect ver xa allow requests verified_sender
expect un  xa deny not_verified
expect old xa allow primary existing_conversation
expect rep xa allow primary existing_conversation
reach xa primary=fd,old,rep requests=ver

set xa mode=none                # only people xa follows; old chats survive
expect ver xa deny not_followed
expect old xa allow primary existing_conversation
reach xa primary=fd,old,rep requests=

set xa mode=everyone
expect un xa allow requests message_request
expect kid xa allow requests message_request
reach xa primary=fd,old,rep requests=ver,un,kid

# A minor hears from an adult only one they follow (the SDK's floor).
follow kid fd
expect fd  kid allow primary followed_by_recipient
expect ver kid deny minor_protection
reach kid primary=fd requests=
