# The Bluesky preset (the atproto lexicon, github.com/bluesky-social/atproto):
# chat.bsky.actor.declaration allowIncoming is all, following (the default,
# also with no record) or none. Blocked users cannot message you; muted
# ones can (mute changes nothing here). Existing conversations survive a
# tighter setting (inferred from the Bluesky app; not documented by Bluesky).
# allowGroupInvites follows the DM setting until set.
policy bluesky
now 2026-03-01

user bo age=30           # never chose: following
user fw age=30           # bo follows fw
user st age=30           # a stranger
user ch age=30           # had an accepted chat with bo
follow bo fw
conversation ch bo accepted

expect fw bo allow primary followed_by_recipient
expect st bo deny not_followed
expect ch bo allow primary existing_conversation
reach bo primary=fw,ch requests=
# Group invites follow the DM setting: people bo follows may add bo.
group fw bo fw,ch allow followed_by_recipient
group st bo st deny group_invites_closed

set bo mode=all          # new chats from people bo doesn't follow are requests
expect st bo allow requests message_request
reach bo primary=fw,ch requests=st

set bo mode=none         # nobody new; the accepted chat survives
expect fw bo deny inbox_closed
expect ch bo allow primary existing_conversation
reach bo primary=ch requests=

block bo ch              # a block ends even an accepted chat
expect ch bo deny blocked_by_recipient
view   ch bo not_allowed
reach bo primary= requests=
