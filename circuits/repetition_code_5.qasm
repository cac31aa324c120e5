OPENQASM 3.0;
include "stdgates.inc";
bit[2] s0;
bit[2] s1;
bit[2] s2;
bit[3] out;
qubit[5] q;
ry(2.226961686790767) q[0];
cx q[0], q[1];
cx q[0], q[2];
cx q[0], q[3];
cx q[1], q[3];
cx q[1], q[4];
x q[1];
cx q[2], q[4];
s0[0] = measure q[3];
reset q[3];
cx q[0], q[3];
cx q[1], q[3];
s0[1] = measure q[4];
reset q[4];
cx q[1], q[4];
cx q[2], q[4];
s1[0] = measure q[3];
reset q[3];
cx q[0], q[3];
cx q[1], q[3];
s1[1] = measure q[4];
reset q[4];
cx q[1], q[4];
cx q[2], q[4];
s2[0] = measure q[3];
reset q[3];
s2[1] = measure q[4];
if (s2 == 1) {
  x q[0];
}
if (s2 == 3) {
  x q[1];
}
if (s2 == 2) {
  x q[2];
}
cx q[0], q[2];
cx q[0], q[1];
ry(-2.226961686790767) q[0];
reset q[4];
out[0] = measure q[0];
out[1] = measure q[1];
out[2] = measure q[2];
