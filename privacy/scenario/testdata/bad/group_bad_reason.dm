# error: 5:23 "group_full" | unknown reason "group_full"
user ana
user ben
user cy
group ana ben cy deny group_full
