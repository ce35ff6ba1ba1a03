# X: people you follow, then message requests
#
# On X people you follow can always message you. "Allow message requests
# from" is No one (none), Verified users (verified, the adults' default)
# or Everyone; those land in requests. You can always reply to someone
# who wrote to you, and accepted conversations survive a tighter setting.
policy x
now 2026-03-01

user xa  age=30                 # never chose: "verified"
user fd  age=30                 # xa follows fd
user ver age=30 verified=on     # a verified stranger
user un  age=30                 # an unverified stranger
user old age=30                 # had an accepted conversation with xa
user rep age=30                 # xa wrote to rep first
user kid age=15                 # a minor: never chose, so "none"

follow xa fd
conversation old xa accepted
conversation xa rep pending
follow kid fd                   # a minor hears from an adult only one they follow

set xa mode=everyone
