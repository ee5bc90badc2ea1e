#ifndef LDS_VERSION_H
#define LDS_VERSION_H
#define LDS_VERSION "0.1.0"
#endif
