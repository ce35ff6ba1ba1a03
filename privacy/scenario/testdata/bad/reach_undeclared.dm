# error: 3:29 "zoe" | unknown user "zoe"
user ana
reach ana primary= requests=zoe
user zoe
