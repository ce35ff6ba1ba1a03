# error: 4:22 "" | reach is incomplete: want reach R primary=A,B,... requests=C,...
user ana
user ben
reach ana primary=ben
