# error: 4:19 "ana" | ana is the recipient: reach lists who else reaches them
user ana
user ben
reach ana primary=ana requests=
