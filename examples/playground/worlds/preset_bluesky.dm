# Bluesky: all, following or none
#
# Bluesky's "Allow new messages from" is everyone (all), users I follow
# (following, the default) or no one (none). New chats from people you
# don't follow arrive as requests; existing chats survive a tighter
# setting; a block ends even an accepted chat.
policy bluesky
now 2026-03-01

user bo age=30                  # never chose: following
user fw age=30                  # bo follows fw
user st age=30                  # a stranger
user ch age=30                  # had an accepted chat with bo
user al age=30 mode=all         # open to everyone
user no age=30 mode=none        # open to no one new

follow bo fw
conversation ch bo accepted
follow al no
