# error: 4:11 "chats=ben" | "chats=ben" is not primary=LIST or requests=LIST
user ana
user ben
reach ana chats=ben requests=
