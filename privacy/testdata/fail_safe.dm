# The minors' fail-safe: a mode a user's age band may not choose never
# applies. Decisions read the age on the day of the decision; a stored mode
# the user's band may not choose counts as that band's default, and a mode
# the band may choose stays, whatever the user's age when they chose it.
policy tiktok
now 2026-03-01

# A birth date corrected from 30 to 17, under Everyone.
user kim age=30 mode=everyone
user ted age=16                 # a teen stranger
user pal age=25                 # kim's friend
follow kim pal
follow pal kim
expect ted kim allow requests message_request
expect pal kim allow primary friend
set kim age=17                  # support corrects kim's birth date
# Everyone is for 18+: kim's stored mode counts as the under-18 default,
# No one, so nobody new reaches her, not even a friend.
expect ted kim deny inbox_closed
expect pal kim deny inbox_closed
reach kim primary= requests=

# A 17-year-old's chosen Suggested survives their 18th birthday.
user lea birth=2008-03-10 mode=suggested   # 17 now, 18 on 10 March
user sam age=16                 # a teen lea has the number of
user con age=30                 # an adult lea has the number of
user str age=30                 # a stranger
contact lea sam
contact lea con
expect sam lea allow primary recommended_contact
expect con lea deny minor_protection       # an adult stranger to a 17-year-old
expect str lea deny minor_protection
advance 9d                      # 2026-03-10: lea turns 18
expect con lea allow primary recommended_contact   # still Suggested, not the adults' default (Friends)
expect sam lea allow primary recommended_contact
expect str lea deny not_suggested
