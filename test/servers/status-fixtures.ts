// `status` outputs in the three layouts: L4D2 (SteamID2), TF2 (SteamID3) and CS2 (no Steam ids).
export const L4D2 = `hostname: Lan Party
version : 2.2.2.6 8975 secure  (unknown)
udp/ip  : 192.168.1.10:27015 [ public 1.2.3.4:27015 ]
os      : Linux Dedicated
map     : c2m1_highway
players : 2 humans, 0 bots (8 max) (not hibernating) (unreserved)

# userid name uniqueid connected ping loss state rate adr
#  7 1 "Ellis" STEAM_1:0:32599262 28:40 66 0 active 30000 192.168.1.20:27005
#  9 2 "Nick "the" Con" STEAM_1:1:4 1:02:03 12 0 active 30000 192.168.1.21:27005
#98 "Tank" BOT active
#end
`;

export const TF2 = `hostname: Lan TF2
version : 7757534/24 7757534 secure
udp/ip  : 192.168.1.10:27015  (public IP from Steam: 1.2.3.4)
steamid : [G:1:4430558] (85568392924469982)
account : not logged in  (No account specified)
map     : pl_pier at: 0 x, 0 y, 0 z
tags    : payload
sourcetv:  192.168.1.10:27020, delay 0.0s  (local: 192.168.1.10:27020)
players : 2 humans, 1 bots (33 max)
edicts  : 1021 used of 2048 max
# userid name                uniqueid            connected ping loss state  adr
#      2 "SourceTV"          BOT                                     active
#    297 "Just PYE"          [U:1:1479357239]    21:52       69    0 active 1.2.3.158:27005
#    301 "a very long player name here" [U:1:22] 1:34:14  120    3 spawning 1.2.3.9:27005
`;

export const CS2 = `Server:  Running [0.0.0.0:27015]
Client:  Disconnected
----- Status -----
@ Current  :  game
source   : console
hostname : Lan CS2
spawn    : 2
version  : 1.41.2.6/14126 10603 secure  public
steamid  : [G:1:14643603] (85568392934683027)
udp/ip   : 0.0.0.0:27015 (public 1.2.3.4:27015)
os/type  : Linux dedicated
players  : 1 humans, 1 bots (0 max) (not hibernating) (unreserved)
---------spawngroups----
loaded spawngroup(  1)  : SV:  [1: de_lake | main lump | mapload]
---------players--------
  id     time ping loss      state   rate adr name
   0      BOT    0    0     active      0 'Romanov'
65535 [NoChan]    0    0 challenging      0unknown ''
   2    02:05   14    0     active 786432 172.18.0.1:37738 'dhe'agman'
#end
`;
