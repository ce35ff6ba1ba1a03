# error: 3:12 "ana" | follow needs two different users: ana is the same user twice
user ana
follow ana ana
