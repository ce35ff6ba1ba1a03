# error: 2:10 "route.pals=primary" | unknown audience "pals"
user ana route.pals=primary
