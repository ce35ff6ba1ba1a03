# A share sheet: who can Ava send a video to?
#
# Ava shares a video with everyone she knows. Her row of the grid is the
# share sheet: one decision per recipient, landing in their chats, in
# their message requests, or refused. Hover a cell for the reason.
policy tiktok
now 2026-03-01

user ava age=27 mode=friends
user bo  age=29 mode=everyone   # a stranger open to everyone
user cam age=31 mode=everyone   # follows Ava
user dia age=24 mode=suggested  # has Ava's number in her contacts
user eli age=33 mode=suggested  # a stranger
user fay age=26 mode=friends    # Ava's friend
user gus age=40 mode=friends    # follows Ava, who does not follow back
user hal age=35 mode=noone      # closed to everyone
user ivy age=22 mode=everyone   # blocked Ava
user jon age=30 mode=everyone   # Ava's friend, who restricted her
user kit age=17 mode=suggested  # a 17-year-old
user lou age=28 status=deactivated
user mo  age=38 mode=everyone   # Ava blocked him
user ned age=45 mode=friends    # wrote to Ava last year; she accepted

follow cam ava
contact dia ava
follow ava fay
follow fay ava
follow gus ava
block ivy ava
follow ava jon
follow jon ava
restrict jon ava
block ava mo
conversation ned ava accepted

expect ava bo  allow requests message_request
expect ava cam allow primary followed_by_recipient
expect ava dia allow primary recommended_contact
expect ava eli deny not_suggested
expect ava fay allow primary friend
expect ava gus deny not_friend
expect ava hal deny inbox_closed
expect ava ivy deny blocked_by_recipient
expect ava jon allow requests restricted
view   ava jon allowed                          # a restriction never shows
expect ava kit deny minor_protection
expect ava lou deny recipient_unavailable
expect ava mo  deny sender_blocked_recipient
view   ava mo  you_blocked
expect ava ned allow primary existing_conversation
