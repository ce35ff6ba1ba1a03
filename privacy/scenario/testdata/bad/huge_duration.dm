# error: 2:9 "999999999999d" | is too long
advance 999999999999d
