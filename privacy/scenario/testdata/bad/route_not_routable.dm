# error: 3:17 "route.conversation=deny" | audience conversation cannot be routed
policy instagram
user ana age=30 route.conversation=deny
