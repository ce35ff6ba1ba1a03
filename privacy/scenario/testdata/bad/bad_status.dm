# error: 2:10 "status=banned" | unknown account status "banned"
user ana status=banned
