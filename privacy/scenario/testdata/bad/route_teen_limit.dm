# error: 3:17 "route.follower=requests" | tee may not set route.follower=requests at 2026-01-01: users whose age is 13-15 may not receive messages from follower
policy instagram
user tee age=15 route.follower=requests
