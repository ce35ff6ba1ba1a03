# A teen account: Jules is 16
#
# On TikTok direct messages start at 16. Until 18 an account that never
# chose has No one, may choose Suggested friends at most (Everyone is for
# 18 and over), and an adult reaches a 16-17-year-old only as a friend.
# Try "set jules mode=everyone": the parser refuses it at that line.
policy tiktok
now 2026-03-01

user jules age=16               # never chose: No one under 18
user mum   age=45               # a friend (they follow each other)
user coach age=38               # Jules follows the coach, who does not follow back
user ava   age=16               # a friend from school
user max   age=17               # Jules has his number, he has hers
user lee   age=15               # too young to send messages
user zed   age=30               # a stranger who follows Jules

follow jules mum
follow mum jules
follow jules coach
follow jules ava
follow ava jules
contact jules max
contact max jules
follow zed jules

# The default: nobody can start a chat with Jules.
expect mum jules deny inbox_closed

# Jules chooses Suggested friends.
set jules mode=suggested
expect mum   jules allow primary friend         # an adult, but her friend
expect ava   jules allow primary friend
expect max   jules allow primary recommended_contact
expect coach jules deny minor_protection        # an adult who is not her friend
expect zed   jules deny minor_protection
view   zed   jules not_allowed                  # shown like any closed inbox
expect lee   jules deny sender_age
