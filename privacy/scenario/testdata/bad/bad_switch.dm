# error: 2:10 "verified=yes" | bad value "yes" for verified: want on or off
user ana verified=yes
