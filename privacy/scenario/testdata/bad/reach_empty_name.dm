# error: 5:11 "primary=ben,,cy" | empty name in the list
user ana
user ben
user cy
reach ana primary=ben,,cy requests=
