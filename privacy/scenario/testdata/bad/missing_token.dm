# error: 3:11 "" | follow is incomplete: want follow A B
user ana
follow ana
