"""An embedded store speaking Backblaze B2's native API, for machines with no B2 account.

b2sdk and Backblaze's own ``b2`` tool work against it unchanged (their realm pointed at the
server's URL), so the code that uploads to real B2 is exactly the code tested here.
"""
