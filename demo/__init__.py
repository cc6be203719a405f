"""The showcase above the product: ``cw demo``'s virtual-clock driver, the simulated people of
an example county, and the sandbox receivers that answer like WeCom, DingTalk, Feishu, SMTP and
a webhook. It uses every layer below it; nothing in the product imports it."""
