# error: 4:21 "not_a_friend" | unknown reason "not_a_friend"
user ana
user ben
expect ana ben deny not_a_friend
