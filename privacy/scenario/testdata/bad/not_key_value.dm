# error: 2:10 "friends" | "friends" is not a key=value
user ana friends
