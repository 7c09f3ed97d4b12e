/** Protocol and parameters selection, ISO/IEC 7816-3 clause 9: PPS request and response. */
package org.cardstack.iso7816.pps;
